CREATE TABLE "sent_emails" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"request_event_id" uuid NOT NULL,
	"registration_id" uuid NOT NULL,
	"recipient" text NOT NULL,
	"locale" text NOT NULL,
	"message_id" text NOT NULL,
	"outcome" text NOT NULL,
	"correlation_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "sent_emails_request_idx" ON "sent_emails" USING btree ("kind","request_event_id");--> statement-breakpoint
CREATE INDEX "sent_emails_registration_idx" ON "sent_emails" USING btree ("registration_id","kind","created_at");