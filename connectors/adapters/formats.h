#pragma once
// One factory per platform format (internal; callers use adapters::make()).

#include <memory>

#include "connectors/adapters/adapter.h"

namespace yuqing::adapters {

std::unique_ptr<Adapter> make_weibo(const AdapterOptions& options);
std::unique_ptr<Adapter> make_x(const AdapterOptions& options);
std::unique_ptr<Adapter> make_reddit(const AdapterOptions& options);
std::unique_ptr<Adapter> make_rss(const AdapterOptions& options);

}  // namespace yuqing::adapters
