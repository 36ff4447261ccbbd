CREATE TABLE orders (
  order_id BIGINT,
  customer_id BIGINT,
  amount DECIMAL(12, 2),
  order_time TIMESTAMP(3)
) WITH ('connector' = 'kafka', 'topic' = 'orders', 'properties.bootstrap.servers' = 'kafka:9092',
        'format' = 'json');

CREATE TABLE customers (
  customer_id BIGINT,
  region STRING,
  PRIMARY KEY (customer_id) NOT ENFORCED
) WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://rds:5432/crm', 'table-name' = 'customers');

CREATE TABLE enriched_orders (
  order_id BIGINT,
  region STRING,
  amount DECIMAL(12, 2),
  order_time TIMESTAMP(3)
) WITH ('connector' = 'dws', 'url' = 'jdbc:postgresql://dws:8000/dw', 'table-name' = 'enriched_orders');

INSERT INTO enriched_orders
SELECT o.order_id, c.region, o.amount, o.order_time
FROM orders AS o JOIN customers AS c ON o.customer_id = c.customer_id;
