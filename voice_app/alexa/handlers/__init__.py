"""Alexa request handlers, one module per concern; `skill.HANDLERS` lists them all."""
