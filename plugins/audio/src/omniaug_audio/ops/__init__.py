"""The audio ops, one module per concern (level/time, distortion, noise, filters, reverb, pitch/time, SpecAugment)."""
