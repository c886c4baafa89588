"""Blueprints: HTTP only — parse the request, call one service, render or redirect."""
