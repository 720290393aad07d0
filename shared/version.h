// The version both programs report with --version.
#pragma once

constexpr const char* intercom_version = "0.1.0";
