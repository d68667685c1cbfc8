CREATE TABLE "dead_letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"origin" text NOT NULL,
	"destination" text NOT NULL,
	"key" text,
	"payload" text NOT NULL,
	"headers" jsonb NOT NULL,
	"reason" text NOT NULL,
	"attempts" integer,
	"failed_at" timestamp with time zone NOT NULL,
	"replayed_at" timestamp with time zone,
	"replayed_by" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "dead_letters_origin_idx" ON "dead_letters" USING btree ("source","origin");--> statement-breakpoint
CREATE INDEX "dead_letters_unreplayed_idx" ON "dead_letters" USING btree ("id") WHERE replayed_at is null;