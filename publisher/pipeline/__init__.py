"""The pipeline: read the site, plan and render each channel's renditions, write the manifest."""
