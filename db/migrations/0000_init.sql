CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text,
	`action` text NOT NULL,
	`target` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_at_idx` ON `audit` (`at`);--> statement-breakpoint
CREATE TABLE `executions` (
	`id` text PRIMARY KEY NOT NULL,
	`namespace` text NOT NULL,
	`flow_id` text NOT NULL,
	`flow_revision` integer NOT NULL,
	`state` text NOT NULL,
	`histories` text NOT NULL,
	`inputs` text,
	`outputs` text,
	`labels` text,
	`variables` text,
	`trigger` text,
	`parent_id` text,
	`original_id` text,
	`dedup_key` text,
	`created_at` integer NOT NULL,
	`start_date` integer,
	`end_date` integer,
	`wake_at` integer,
	`owner` text,
	`lease_until` integer,
	`kill_requested` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `executions_flow_idx` ON `executions` (`namespace`,`flow_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `executions_state_idx` ON `executions` (`state`,`created_at`);--> statement-breakpoint
CREATE INDEX `executions_created_idx` ON `executions` (`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `executions_dedup_idx` ON `executions` (`dedup_key`);--> statement-breakpoint
CREATE TABLE `files` (
	`uri` text PRIMARY KEY NOT NULL,
	`data` blob NOT NULL,
	`size` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `flow_revisions` (
	`namespace` text NOT NULL,
	`flow_id` text NOT NULL,
	`revision` integer NOT NULL,
	`source` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`namespace`, `flow_id`, `revision`)
);
--> statement-breakpoint
CREATE TABLE `flows` (
	`namespace` text NOT NULL,
	`id` text NOT NULL,
	`revision` integer NOT NULL,
	`source` text NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`namespace`, `id`)
);
--> statement-breakpoint
CREATE TABLE `grants` (
	`subject` text NOT NULL,
	`role` text NOT NULL,
	`namespace_prefix` text DEFAULT '*' NOT NULL,
	PRIMARY KEY(`subject`, `role`, `namespace_prefix`)
);
--> statement-breakpoint
CREATE TABLE `kv` (
	`namespace` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`type` text DEFAULT 'STRING' NOT NULL,
	`expires_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`namespace`, `key`)
);
--> statement-breakpoint
CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`fence` integer DEFAULT 0 NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `logs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`execution_id` text NOT NULL,
	`namespace` text NOT NULL,
	`flow_id` text NOT NULL,
	`task_run_id` text,
	`task_id` text,
	`attempt` integer,
	`level` text NOT NULL,
	`message` text NOT NULL,
	`timestamp` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `logs_execution_idx` ON `logs` (`execution_id`,`id`);--> statement-breakpoint
CREATE INDEX `logs_time_idx` ON `logs` (`timestamp`);--> statement-breakpoint
CREATE TABLE `metrics` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`execution_id` text NOT NULL,
	`task_run_id` text,
	`task_id` text,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`value` real NOT NULL,
	`tags` text,
	`timestamp` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `metrics_execution_idx` ON `metrics` (`execution_id`);--> statement-breakpoint
CREATE TABLE `secrets` (
	`namespace` text NOT NULL,
	`key` text NOT NULL,
	`ciphertext` text NOT NULL,
	`key_id` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`namespace`, `key`)
);
--> statement-breakpoint
CREATE TABLE `task_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`execution_id` text NOT NULL,
	`seq` integer NOT NULL,
	`parent_task_run_id` text,
	`task_id` text NOT NULL,
	`value` text,
	`section` text DEFAULT 'main' NOT NULL,
	`branch` integer DEFAULT 0 NOT NULL,
	`iteration` integer DEFAULT 0 NOT NULL,
	`state` text NOT NULL,
	`histories` text NOT NULL,
	`attempts` text DEFAULT '[]' NOT NULL,
	`outputs` text,
	`plan` text,
	`queued` integer DEFAULT false NOT NULL,
	`run_at` integer,
	`owner` text,
	`lease_until` integer,
	`fence` integer DEFAULT 0 NOT NULL,
	`start_date` integer,
	`end_date` integer
);
--> statement-breakpoint
CREATE INDEX `task_runs_execution_idx` ON `task_runs` (`execution_id`,`seq`);--> statement-breakpoint
CREATE INDEX `task_runs_queue_idx` ON `task_runs` (`queued`,`run_at`);--> statement-breakpoint
CREATE TABLE `triggers` (
	`namespace` text NOT NULL,
	`flow_id` text NOT NULL,
	`trigger_id` text NOT NULL,
	`type` text NOT NULL,
	`next_date` integer,
	`last_date` integer,
	`disabled` integer DEFAULT false NOT NULL,
	`backfill` text,
	`owner` text,
	`lease_until` integer,
	`fence` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`namespace`, `flow_id`, `trigger_id`)
);
--> statement-breakpoint
CREATE INDEX `triggers_next_idx` ON `triggers` (`next_date`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`disabled` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`execution_id` text NOT NULL,
	`created_at` integer NOT NULL
);
