import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TraceabilityShipments1795311592767 implements MigrationInterface {
  name = 'TraceabilityShipments1795311592767';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "shipment" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "code" character varying(32) NOT NULL, "customer_id" uuid NOT NULL, "reference" character varying(100), "note" character varying(500), "shipped_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "shipped_by" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_shipment" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_shipment_site_time" ON "shipment"  ("site_id", "shipped_at") `);
    await queryRunner.query(
      `CREATE INDEX "ix_shipment_customer" ON "shipment"  ("customer_id", "shipped_at") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_shipment_code" ON "shipment"  ("site_id", "code") `);
    await queryRunner.query(
      `CREATE TABLE "shipment_line" ("id" BIGSERIAL NOT NULL, "shipment_id" uuid NOT NULL, "line_no" integer NOT NULL, "lot_id" uuid NOT NULL, "material_id" uuid NOT NULL, "quantity" numeric(18,6) NOT NULL, "location_id" uuid NOT NULL, "movement_id" bigint NOT NULL, "serials" text array, CONSTRAINT "ck_shipment_line_quantity" CHECK (quantity > 0), CONSTRAINT "pk_shipment_line" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_shipment_line_lot" ON "shipment_line"  ("lot_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_shipment_line_shipment" ON "shipment_line"  ("shipment_id", "line_no") `,
    );
    await queryRunner.query(
      `CREATE TABLE "genealogy_edge" ("id" BIGSERIAL NOT NULL, "site_id" uuid NOT NULL, "parent_lot_id" uuid NOT NULL, "child_lot_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "quantity" numeric(18,6) NOT NULL, "work_order_id" uuid, "operation_id" uuid, "reference_id" uuid, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "ck_genealogy_edge_work_order" CHECK ((kind = 'production') = (work_order_id IS NOT NULL)), CONSTRAINT "ck_genealogy_edge_distinct" CHECK (parent_lot_id <> child_lot_id), CONSTRAINT "ck_genealogy_edge_quantity" CHECK (quantity > 0), CONSTRAINT "ck_genealogy_edge_kind" CHECK (kind IN ('production', 'outsourcing', 'split', 'merge')), CONSTRAINT "pk_genealogy_edge" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_genealogy_edge_work_order" ON "genealogy_edge"  ("work_order_id") WHERE work_order_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_genealogy_edge_child" ON "genealogy_edge"  ("child_lot_id", "parent_lot_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_genealogy_edge" ON "genealogy_edge"  ("parent_lot_id", "child_lot_id", "kind") `,
    );
    await queryRunner.query(
      `CREATE TABLE "serial_link" ("id" BIGSERIAL NOT NULL, "site_id" uuid NOT NULL, "component_serial_id" uuid NOT NULL, "unit_serial_id" uuid NOT NULL, "component_lot_id" uuid NOT NULL, "unit_lot_id" uuid NOT NULL, "work_order_id" uuid NOT NULL, "operation_id" uuid, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "recorded_by" character varying(200) NOT NULL, "removed_at" TIMESTAMP WITH TIME ZONE, "removed_by" character varying(200), "removal_reason" character varying(500), CONSTRAINT "ck_serial_link_distinct" CHECK (component_serial_id <> unit_serial_id), CONSTRAINT "pk_serial_link" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_serial_link_work_order" ON "serial_link"  ("work_order_id") `);
    await queryRunner.query(`CREATE INDEX "ix_serial_link_unit" ON "serial_link"  ("unit_serial_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_serial_link_component" ON "serial_link"  ("component_serial_id") WHERE removed_at IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "shipment" ADD CONSTRAINT "fk_shipment_customer" FOREIGN KEY ("customer_id") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "shipment_line" ADD CONSTRAINT "fk_shipment_line_shipment" FOREIGN KEY ("shipment_id") REFERENCES "shipment"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "shipment_line" ADD CONSTRAINT "fk_shipment_line_lot" FOREIGN KEY ("lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "genealogy_edge" ADD CONSTRAINT "fk_genealogy_edge_parent" FOREIGN KEY ("parent_lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "genealogy_edge" ADD CONSTRAINT "fk_genealogy_edge_child" FOREIGN KEY ("child_lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "serial_link" ADD CONSTRAINT "fk_serial_link_component" FOREIGN KEY ("component_serial_id") REFERENCES "serial_number"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "serial_link" ADD CONSTRAINT "fk_serial_link_unit" FOREIGN KEY ("unit_serial_id") REFERENCES "serial_number"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "lot" DROP CONSTRAINT "ck_lot_origin"`);
    await queryRunner.query(
      `ALTER TABLE "lot" ADD CONSTRAINT "ck_lot_origin" CHECK (origin IN ('receipt', 'production', 'outsourcing', 'split'))`,
    );
    await queryRunner.query(`ALTER TABLE "inventory_movement" DROP CONSTRAINT "ck_inventory_movement_type"`);
    await queryRunner.query(
      `ALTER TABLE "inventory_movement" ADD CONSTRAINT "ck_inventory_movement_type" CHECK (movement_type IN ('receipt', 'production_receipt', 'issue', 'transfer', 'return', 'scrap', 'adjustment', 'split', 'merge', 'shipment'))`,
    );
    await queryRunner.query(`ALTER TABLE "serial_number" DROP CONSTRAINT "ck_serial_number_status"`);
    await queryRunner.query(
      `ALTER TABLE "serial_number" ADD CONSTRAINT "ck_serial_number_status" CHECK (status IN ('in_stock', 'consumed', 'scrapped', 'written_off', 'shipped'))`,
    );
    // The genealogy of what was made before this migration: lots issued to a work order (net of returns) went
    // into the lots it produced; lots sent to a supplier went into what came back.
    await queryRunner.query(
      `INSERT INTO genealogy_edge (site_id, parent_lot_id, child_lot_id, kind, quantity, work_order_id, operation_id, occurred_at)
       SELECT c.site_id, m.lot_id, c.id, 'production',
              sum(CASE WHEN m.movement_type = 'issue' THEN m.quantity ELSE -m.quantity END), m.work_order_id,
              (array_agg(m.operation_id ORDER BY m.occurred_at DESC) FILTER (WHERE m.operation_id IS NOT NULL))[1],
              c.received_at
         FROM inventory_movement m
         JOIN lot c ON c.work_order_id = m.work_order_id AND c.origin = 'production' AND c.id <> m.lot_id
        WHERE m.movement_type IN ('issue', 'return') AND m.work_order_id IS NOT NULL
        GROUP BY c.site_id, m.lot_id, c.id, m.work_order_id, c.received_at
       HAVING sum(CASE WHEN m.movement_type = 'issue' THEN m.quantity ELSE -m.quantity END) > 0`,
    );
    await queryRunner.query(
      `INSERT INTO genealogy_edge (site_id, parent_lot_id, child_lot_id, kind, quantity, reference_id, occurred_at)
       SELECT site_id, parent_lot_id, child_lot_id, 'outsourcing', sum(quantity), min(reference_id::text)::uuid, min(created_at)
         FROM lot_link WHERE reference_type = 'outsourcing_order'
        GROUP BY site_id, parent_lot_id, child_lot_id`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "serial_number" DROP CONSTRAINT "ck_serial_number_status"`);
    await queryRunner.query(
      `ALTER TABLE "serial_number" ADD CONSTRAINT "ck_serial_number_status" CHECK (status IN ('in_stock', 'consumed', 'scrapped', 'written_off'))`,
    );
    await queryRunner.query(`ALTER TABLE "inventory_movement" DROP CONSTRAINT "ck_inventory_movement_type"`);
    await queryRunner.query(
      `ALTER TABLE "inventory_movement" ADD CONSTRAINT "ck_inventory_movement_type" CHECK (movement_type IN ('receipt', 'production_receipt', 'issue', 'transfer', 'return', 'scrap', 'adjustment'))`,
    );
    await queryRunner.query(`ALTER TABLE "lot" DROP CONSTRAINT "ck_lot_origin"`);
    await queryRunner.query(
      `ALTER TABLE "lot" ADD CONSTRAINT "ck_lot_origin" CHECK (origin IN ('receipt', 'production', 'outsourcing'))`,
    );
    await queryRunner.query(`ALTER TABLE "serial_link" DROP CONSTRAINT "fk_serial_link_unit"`);
    await queryRunner.query(`ALTER TABLE "serial_link" DROP CONSTRAINT "fk_serial_link_component"`);
    await queryRunner.query(`ALTER TABLE "genealogy_edge" DROP CONSTRAINT "fk_genealogy_edge_child"`);
    await queryRunner.query(`ALTER TABLE "genealogy_edge" DROP CONSTRAINT "fk_genealogy_edge_parent"`);
    await queryRunner.query(`ALTER TABLE "shipment_line" DROP CONSTRAINT "fk_shipment_line_lot"`);
    await queryRunner.query(`ALTER TABLE "shipment_line" DROP CONSTRAINT "fk_shipment_line_shipment"`);
    await queryRunner.query(`ALTER TABLE "shipment" DROP CONSTRAINT "fk_shipment_customer"`);
    await queryRunner.query(`DROP INDEX "public"."ux_serial_link_component"`);
    await queryRunner.query(`DROP INDEX "public"."ix_serial_link_unit"`);
    await queryRunner.query(`DROP INDEX "public"."ix_serial_link_work_order"`);
    await queryRunner.query(`DROP TABLE "serial_link"`);
    await queryRunner.query(`DROP INDEX "public"."ux_genealogy_edge"`);
    await queryRunner.query(`DROP INDEX "public"."ix_genealogy_edge_child"`);
    await queryRunner.query(`DROP INDEX "public"."ix_genealogy_edge_work_order"`);
    await queryRunner.query(`DROP TABLE "genealogy_edge"`);
    await queryRunner.query(`DROP INDEX "public"."ix_shipment_line_shipment"`);
    await queryRunner.query(`DROP INDEX "public"."ix_shipment_line_lot"`);
    await queryRunner.query(`DROP TABLE "shipment_line"`);
    await queryRunner.query(`DROP INDEX "public"."ux_shipment_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_shipment_customer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_shipment_site_time"`);
    await queryRunner.query(`DROP TABLE "shipment"`);
  }
}
