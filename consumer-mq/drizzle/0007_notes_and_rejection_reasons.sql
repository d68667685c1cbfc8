CREATE TABLE "registration_notes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"registration_id" uuid NOT NULL,
	"author" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"edited_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "rejection_reasons" (
	"id" uuid PRIMARY KEY NOT NULL,
	"label" text NOT NULL,
	"text" text NOT NULL,
	"shared" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "catalogue_reason_id" uuid;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "catalogue_reason_label" text;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "catalogue_reason_text" text;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "catalogue_reason_shared" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "registration_notes_registration_idx" ON "registration_notes" USING btree ("registration_id","created_at");