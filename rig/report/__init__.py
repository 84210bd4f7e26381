"""Reports a technician looks at: one self-contained HTML sheet per camera, and the batch summary.

``camera``  writes the per-camera sheet beside the records (called by the batch as each camera finishes);
``results`` reads a results CSV tolerantly (problems named by file and line, the rest still summarised);
``summary`` turns the rows (and the JSON records, when present) into the batch figures;
``terminal`` and ``batch_page`` show those figures in the terminal and as a page with plots.
Plots are drawn with matplotlib on its Agg/SVG canvases (no pyplot, no display, no global figure state).
"""
