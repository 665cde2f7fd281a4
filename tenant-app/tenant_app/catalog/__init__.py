"""The store's catalog: products with a price, published to shoppers (and the marketplace) or not."""
