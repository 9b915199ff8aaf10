#pragma once
// `yuqing report --brand ID --window 7d --out report.html [--server http://127.0.0.1:8080]`:
// one self-contained HTML file for a PR team's weekly review, built from a running engine's
// API (the dashboard's data): KPIs against the previous window, the volume / negative-ratio
// trend with its baseline band and alert markers, the sentiment split, share of voice against
// the competitors of the brand rules, the alerts of the window and the top negative mentions.
// Charts are SVG drawn here; the style is the dashboard's CSS, inlined. No script, no external
// resource: the file opens offline and can be mailed or archived as it is.
// Exit codes: 0 written, 1 engine unreachable / unknown brand / API or write error, 2 usage.

#include "engine/cli/command.h"

namespace yuqing::cli {

void register_report_command(CLI::App& root, CommandResult& result);

}  // namespace yuqing::cli
