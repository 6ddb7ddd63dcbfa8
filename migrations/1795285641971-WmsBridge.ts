import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WmsBridge1795285641971 implements MigrationInterface {
  name = 'WmsBridge1795285641971';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "inventory_settings" ("site_id" uuid NOT NULL, "allocation_policy" character varying(4) NOT NULL DEFAULT 'fifo', "version" integer NOT NULL DEFAULT '1', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_inventory_settings_policy" CHECK (allocation_policy IN ('fifo', 'fefo')), CONSTRAINT "pk_inventory_settings" PRIMARY KEY ("site_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "wms_inbound_event" ("api_client_id" uuid NOT NULL, "event_id" character varying(100) NOT NULL, "type" character varying(40) NOT NULL, "body_hash" character(64) NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "outcome" jsonb NOT NULL, CONSTRAINT "pk_wms_inbound_event" PRIMARY KEY ("api_client_id", "event_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_wms_inbound_event_received" ON "wms_inbound_event"  ("received_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "wms_pick_task" ("id" uuid NOT NULL, "site_id" uuid NOT NULL, "work_order_id" uuid NOT NULL, "work_order_code" character varying(64) NOT NULL, "line_id" uuid NOT NULL, "destination_location_id" uuid, "status" character varying(16) NOT NULL DEFAULT 'pending', "priority" character varying(8) NOT NULL, "need_by" TIMESTAMP WITH TIME ZONE NOT NULL, "mode" character varying(16) NOT NULL, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "delivered_at" TIMESTAMP WITH TIME ZONE, "note" text, CONSTRAINT "ck_wms_pick_task_priority" CHECK (priority IN ('normal', 'rush')), CONSTRAINT "ck_wms_pick_task_status" CHECK (status IN ('pending', 'sent', 'accepted', 'picking', 'delivered', 'shortage', 'failed', 'cancelled')), CONSTRAINT "pk_wms_pick_task" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_wms_pick_task_site_status" ON "wms_pick_task"  ("site_id", "status", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_wms_pick_task_work_order" ON "wms_pick_task"  ("work_order_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "wms_pick_task_line" ("task_id" uuid NOT NULL, "line_no" integer NOT NULL, "material_id" uuid NOT NULL, "material_code" character varying(64) NOT NULL, "unit_code" character varying(16) NOT NULL, "quantity" numeric(18,6) NOT NULL, "delivered_qty" numeric(18,6) NOT NULL DEFAULT '0', "short_qty" numeric(18,6) NOT NULL DEFAULT '0', CONSTRAINT "ck_wms_pick_task_line_qty" CHECK (quantity > 0 AND delivered_qty >= 0 AND short_qty >= 0), CONSTRAINT "pk_wms_pick_task_line" PRIMARY KEY ("task_id", "line_no"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "wms_putaway" ("id" uuid NOT NULL, "site_id" uuid NOT NULL, "work_order_id" uuid, "lot_id" uuid NOT NULL, "lot_code" character varying(64) NOT NULL, "material_id" uuid NOT NULL, "quantity" numeric(18,6) NOT NULL, "from_location_id" uuid NOT NULL, "to_location_id" uuid, "status" character varying(16) NOT NULL DEFAULT 'pending', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "confirmed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_wms_putaway_status" CHECK (status IN ('pending', 'sent', 'confirmed', 'cancelled')), CONSTRAINT "pk_wms_putaway" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_wms_putaway_lot" ON "wms_putaway"  ("lot_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_wms_putaway_site_status" ON "wms_putaway"  ("site_id", "status", "created_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "inventory_settings" ADD CONSTRAINT "fk_inventory_settings_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "wms_pick_task" ADD CONSTRAINT "fk_wms_pick_task_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "wms_pick_task" ADD CONSTRAINT "fk_wms_pick_task_work_order" FOREIGN KEY ("work_order_id") REFERENCES "work_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "wms_pick_task_line" ADD CONSTRAINT "fk_wms_pick_task_line_task" FOREIGN KEY ("task_id") REFERENCES "wms_pick_task"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "wms_putaway" ADD CONSTRAINT "fk_wms_putaway_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "wms_putaway" ADD CONSTRAINT "fk_wms_putaway_lot" FOREIGN KEY ("lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "wms_putaway" DROP CONSTRAINT "fk_wms_putaway_lot"`);
    await queryRunner.query(`ALTER TABLE "wms_putaway" DROP CONSTRAINT "fk_wms_putaway_site"`);
    await queryRunner.query(`ALTER TABLE "wms_pick_task_line" DROP CONSTRAINT "fk_wms_pick_task_line_task"`);
    await queryRunner.query(`ALTER TABLE "wms_pick_task" DROP CONSTRAINT "fk_wms_pick_task_work_order"`);
    await queryRunner.query(`ALTER TABLE "wms_pick_task" DROP CONSTRAINT "fk_wms_pick_task_site"`);
    await queryRunner.query(`ALTER TABLE "inventory_settings" DROP CONSTRAINT "fk_inventory_settings_site"`);
    await queryRunner.query(`DROP INDEX "public"."ix_wms_putaway_site_status"`);
    await queryRunner.query(`DROP INDEX "public"."ux_wms_putaway_lot"`);
    await queryRunner.query(`DROP TABLE "wms_putaway"`);
    await queryRunner.query(`DROP TABLE "wms_pick_task_line"`);
    await queryRunner.query(`DROP INDEX "public"."ux_wms_pick_task_work_order"`);
    await queryRunner.query(`DROP INDEX "public"."ix_wms_pick_task_site_status"`);
    await queryRunner.query(`DROP TABLE "wms_pick_task"`);
    await queryRunner.query(`DROP INDEX "public"."ix_wms_inbound_event_received"`);
    await queryRunner.query(`DROP TABLE "wms_inbound_event"`);
    await queryRunner.query(`DROP TABLE "inventory_settings"`);
  }
}
