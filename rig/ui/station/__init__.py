"""The station page: a tile per slot, operator prompts and the scan field, served by the rig itself."""
