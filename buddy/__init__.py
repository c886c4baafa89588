"""Buddy: pair volunteers with newcomers so that newcomers learn German."""
