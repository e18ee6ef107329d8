"""The adversarial ops: the shared base, tensor modalities, graphs and token embeddings."""
