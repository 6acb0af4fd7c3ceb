package io.outrigger.examples;

import io.outrigger.core.service.ServiceName;
import io.outrigger.examples.thrift.gen.StockReply;
import io.outrigger.examples.thrift.gen.StockRequest;

/** A Thrift service: the same rules, with Thrift structs as messages. */
@ServiceName("demo.InventoryService")
public interface InventoryService {

    StockReply checkStock(StockRequest request);
}
