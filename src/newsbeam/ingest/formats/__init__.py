"""One module per input format; each exports ``EXTENSIONS`` and ``read(ctx, opened)``, listed in readers.FORMATS."""
