"""Reading exports as received: raw tables from CSV/XLSX with their layout detected, and cell parsers."""
