import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GenealogyEdge, SerialLink } from './genealogy/genealogy.entities';

/** Genealogy recorded as production happens, forward and backward trace, recall scope. */
@Module({
  imports: [TypeOrmModule.forFeature([GenealogyEdge, SerialLink])],
})
export class TraceabilityModule {}
