module splai-release/platform/pause

go 1.22
