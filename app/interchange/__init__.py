"""Plans in and out: Microsoft Project XML (MSPDI) import and export, and every other format
MPXJ reads converted into the same import path (docs/interchange.md)."""
