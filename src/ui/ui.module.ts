import { Module } from '@nestjs/common';
import { UiStaticServer } from './ui-static.server';

/** The web pages (ES modules, no build step) served by the app itself at `/`. */
@Module({ providers: [UiStaticServer] })
export class UiModule {}
