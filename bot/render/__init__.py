"""Renderers: a `Reply` model in, one platform's markup (or file format) out. No decisions here."""
