import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MaterialUnitConversions1795274841251 implements MigrationInterface {
  name = 'MaterialUnitConversions1795274841251';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "material_unit_conversion" ("material_id" uuid NOT NULL, "unit_id" uuid NOT NULL, "factor" numeric(18,9) NOT NULL, CONSTRAINT "ck_material_unit_conversion_factor" CHECK (factor > 0), CONSTRAINT "pk_material_unit_conversion" PRIMARY KEY ("material_id", "unit_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "material_unit_conversion" ADD CONSTRAINT "fk_material_unit_conversion_material" FOREIGN KEY ("material_id") REFERENCES "material"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "material_unit_conversion" ADD CONSTRAINT "fk_material_unit_conversion_unit" FOREIGN KEY ("unit_id") REFERENCES "unit_of_measure"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "material_unit_conversion" DROP CONSTRAINT "fk_material_unit_conversion_unit"`,
    );
    await queryRunner.query(
      `ALTER TABLE "material_unit_conversion" DROP CONSTRAINT "fk_material_unit_conversion_material"`,
    );
    await queryRunner.query(`DROP TABLE "material_unit_conversion"`);
  }
}
