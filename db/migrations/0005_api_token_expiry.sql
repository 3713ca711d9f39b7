ALTER TABLE `api_tokens` ADD `description` text;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `expires_at` integer;