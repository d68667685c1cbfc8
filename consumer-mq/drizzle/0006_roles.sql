ALTER TABLE "admins" ADD COLUMN "role" text DEFAULT 'reviewer' NOT NULL;--> statement-breakpoint
ALTER TABLE "admins" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
-- Everyone who could sign in before roles existed could do everything: they keep that, as admins.
UPDATE "admins" SET "role" = 'admin';
