// The Thrift service of the quickstart. The generated Java is committed; regenerate it with
// scripts/generate-thrift.sh after changing this file.

namespace java io.outrigger.examples.thrift.gen

struct StockRequest {
  1: string sku
}

struct StockReply {
  1: string sku,
  2: i32 available,
  3: string warehouse
}
