"""The image ops, one module per concern (geometric, photometric, occlusion, random fields)."""
