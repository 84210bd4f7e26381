"""Writers over one finished camera record: results CSV, JSON record, LED trace."""
