/**
 * History API bodies (futures-wire.md §9.1, §9.3 give them as `jsonc`, so they are built here) with the documented
 * structure and field types: decimal strings, epoch-ms times (one of them quoted), `continuationToken`.
 */
export const historyOrders = {
  accountUid: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  len: 2,
  serverTime: '2024-05-03T09:35:18.464Z',
  elements: [
    {
      uid: '9a3b',
      timestamp: 1604937694000,
      event: {
        OrderPlaced: {
          order: {
            uid: '2ce038ae-c144-4de7-a0f1-82f7f4fca864',
            accountUid: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
            tradeable: 'PF_XBTUSD',
            direction: 'Buy',
            quantity: '0.001',
            filled: '0',
            timestamp: 1604937694000,
            limitPrice: '50000',
            orderType: 'Limit',
            clientId: 'my-order-1',
            reduceOnly: false,
            lastUpdateTimestamp: 1604937694000,
            spotData: null,
          },
          reason: 'new_user_order',
          reducedQuantity: '',
        },
      },
    },
    {
      uid: 'b71c',
      timestamp: '1604937700000',
      event: {
        OrderUpdated: {
          oldOrder: { uid: '2ce038ae', tradeable: 'PF_XBTUSD', direction: 'Buy', quantity: '0.001', filled: '0' },
          newOrder: { uid: '2ce038ae', tradeable: 'PF_XBTUSD', direction: 'Buy', quantity: '0.001', filled: '0.001' },
          reason: 'full_fill',
          reducedQuantity: '0',
        },
      },
    },
  ],
  continuationToken: 'QTexMDE0OTe33NTcyXy8xNDIzAjc1NjY5MwI=',
};

export const historyExecutions = {
  accountUid: 'acc-1',
  len: 1,
  elements: [
    {
      uid: 'el-1',
      timestamp: 1604937694000,
      event: {
        execution: {
          execution: {
            uid: 'exec-1',
            makerOrder: {
              uid: 'maker-order',
              accountUid: 'acc-1',
              tradeable: 'PF_XBTUSD',
              direction: 'Buy',
              quantity: '0.5',
              filled: '0.5',
              timestamp: 1604937694000,
              limitPrice: '50000',
              orderType: 'Limit',
              clientId: 'c-1',
              reduceOnly: true,
              lastUpdateTimestamp: 1604937694000,
            },
            takerOrder: { uid: 'taker-order', accountUid: 'acc-2', tradeable: 'PF_XBTUSD', direction: 'Sell' },
            timestamp: 1604937694000,
            quantity: '0.5',
            price: '50000',
            markPrice: '50010.5',
            limitFilled: true,
            usdValue: '25000',
            makerOrderData: { fee: '2.5', positionSize: '0.5' },
            takerOrderData: { fee: '12.5', positionSize: '-0.5' },
          },
          takerReducedQuantity: '',
        },
      },
    },
  ],
};
