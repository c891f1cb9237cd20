"""The review app's pages, one file each; `_common` holds what every page shares."""
