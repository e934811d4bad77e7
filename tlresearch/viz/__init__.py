"""Pictures of the results: classes and colours, interactive and static maps, charts, self-contained HTML."""
