-- Hand-written instead of Prisma's table rebuild: ADD COLUMN keeps every row and foreign key in place.
ALTER TABLE "users" ADD COLUMN "rate_limit_per_hour" INTEGER;
ALTER TABLE "users" ADD COLUMN "time_zone" TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE "users" ADD COLUMN "work_start_hour" INTEGER NOT NULL DEFAULT 8;
ALTER TABLE "users" ADD COLUMN "work_end_hour" INTEGER NOT NULL DEFAULT 20;
