"""`keras.export`: inference artifacts with several endpoints (`ExportArchive`).

`Model.export` writes one model; an `ExportArchive` holds several functions of
tracked layers and models, as `torch.export` programs or ONNX models, and
`load` reads one back.
"""

from lamina.export.export_archive import ExportArchive, load

__all__ = ["ExportArchive", "load"]
