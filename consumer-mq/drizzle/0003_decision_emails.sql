ALTER TABLE "decisions" ADD COLUMN "reason_shared" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "email_applicant" boolean DEFAULT false NOT NULL;