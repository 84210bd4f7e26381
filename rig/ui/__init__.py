"""What the technician sees and types: terminal progress, operator prompts, the barcode scanner."""
