import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PurchaseRequisitions1795340100000 implements MigrationInterface {
  name = 'PurchaseRequisitions1795340100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "purchase_requisition" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "code" character varying(32) NOT NULL, "material_id" uuid NOT NULL, "quantity" numeric(18,6) NOT NULL, "need_by" TIMESTAMP WITH TIME ZONE, "reason" character varying(500) NOT NULL, "source" character varying(80) NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'open', "purchase_order" character varying(100), "close_note" character varying(500), "requested_by_name" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "closed_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_purchase_requisition_quantity" CHECK (quantity > 0), CONSTRAINT "ck_purchase_requisition_status" CHECK (status IN ('open', 'ordered', 'cancelled')), CONSTRAINT "pk_purchase_requisition" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_purchase_requisition_site_status" ON "purchase_requisition"  ("site_id", "status", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_purchase_requisition_open_material" ON "purchase_requisition"  ("site_id", "material_id") WHERE status = 'open'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_purchase_requisition_code" ON "purchase_requisition"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `ALTER TABLE "purchase_requisition" ADD CONSTRAINT "fk_purchase_requisition_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "purchase_requisition" ADD CONSTRAINT "fk_purchase_requisition_material" FOREIGN KEY ("material_id") REFERENCES "material"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "purchase_requisition" DROP CONSTRAINT "fk_purchase_requisition_material"`,
    );
    await queryRunner.query(
      `ALTER TABLE "purchase_requisition" DROP CONSTRAINT "fk_purchase_requisition_site"`,
    );
    await queryRunner.query(`DROP INDEX "public"."ux_purchase_requisition_code"`);
    await queryRunner.query(`DROP INDEX "public"."ux_purchase_requisition_open_material"`);
    await queryRunner.query(`DROP INDEX "public"."ix_purchase_requisition_site_status"`);
    await queryRunner.query(`DROP TABLE "purchase_requisition"`);
  }
}
