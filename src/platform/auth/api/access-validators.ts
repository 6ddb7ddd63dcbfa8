import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsIn, IsUUID } from 'class-validator';
import { ROLES } from '../roles';

/** One or more distinct roles from ROLES. */
export const IsRoleList = (): PropertyDecorator =>
  applyDecorators(ArrayMinSize(1), ArrayMaxSize(ROLES.length), ArrayUnique(), IsIn(ROLES, { each: true }));

/** One to 100 distinct site ids. */
export const IsSiteIdList = (): PropertyDecorator =>
  applyDecorators(ArrayMinSize(1), ArrayMaxSize(100), ArrayUnique(), IsUUID('all', { each: true }));
