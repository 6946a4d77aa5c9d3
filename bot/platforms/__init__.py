"""Thin adapters: each turns one platform's updates into `Incoming` and renders `Reply` back."""
