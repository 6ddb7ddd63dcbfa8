import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InventoryReservations1795290633289 implements MigrationInterface {
  name = 'InventoryReservations1795290633289';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "inventory_reservation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "work_order_id" uuid NOT NULL, "work_order_code" character varying(64) NOT NULL, "material_id" uuid NOT NULL, "reserved_qty" numeric(18,6) NOT NULL, "quantity" numeric(18,6) NOT NULL, "status" character varying(8) NOT NULL DEFAULT 'active', "close_reason" character varying(200), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "closed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_inventory_reservation_quantity" CHECK (quantity >= 0 AND reserved_qty >= 0), CONSTRAINT "ck_inventory_reservation_status" CHECK (status IN ('active', 'closed')), CONSTRAINT "pk_inventory_reservation" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_inventory_reservation_active" ON "inventory_reservation"  ("site_id", "material_id") WHERE status = 'active'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_inventory_reservation_order_material" ON "inventory_reservation"  ("work_order_id", "material_id") `,
    );
    // Orders released before reservations existed: what they still need, as active reservations.
    await queryRunner.query(`INSERT INTO inventory_reservation (site_id, work_order_id, work_order_code, material_id, reserved_qty, quantity, status)
      SELECT w.site_id, w.id, w.code, wm.material_id, sum(greatest(wm.required_qty - wm.issued_qty, 0)), sum(greatest(wm.required_qty - wm.issued_qty, 0)), 'active'
        FROM work_order w JOIN work_order_material wm ON wm.work_order_id = w.id
       WHERE w.status IN ('released', 'kitting', 'ready', 'running', 'held')
       GROUP BY w.site_id, w.id, w.code, wm.material_id
      HAVING sum(greatest(wm.required_qty - wm.issued_qty, 0)) > 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ux_inventory_reservation_order_material"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inventory_reservation_active"`);
    await queryRunner.query(`DROP TABLE "inventory_reservation"`);
  }
}
