"""The project's Datasette plugin: what readers see beyond Datasette's own pages.

Each module is one feature on Datasette's documented plugin hooks, and one entry point of the
`datasette` group in pyproject.toml, so Datasette loads it when it starts (no --plugins-dir):

- landing_page: the front page `/` (datasette_site/templates/index.html)
- cite_row: "Cite this" on the row pages of the cited tables (datasette_site/templates/row.html)
- row_evidence: the quoted passages on the row pages of errata and office checks
- row_record: the row pages of the cited tables as a record, and an actor's accounts and figures
- query_pages: the canned queries as pages to read: links, the printed tables' notes, empty states
- discovery: /sitemap.xml and the schema.org Dataset on the front page and table pages
- collapse_column_descriptions: the long column descriptions of table pages folded away
- serve_directory_index: index.html for a folder of the static mounts (/docs/, /downloads/0.4.0/)
- open_downloads: CORS on the release files, as on the JSON and CSV
- read_templates_once: templates read once per process, not on every page

They read their settings with datasette.plugin_config("ots") (metadata.yml's plugins.ots: the
database, the cited tables; ots_data/metadata.py adds the version and the queries' titles).
"""
