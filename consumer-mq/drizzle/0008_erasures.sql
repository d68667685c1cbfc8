CREATE TABLE "erasures" (
	"registration_id" uuid PRIMARY KEY NOT NULL,
	"requested_by" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"correlation_id" text,
	"postgres_erased_at" timestamp with time zone,
	"redis_erased_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
