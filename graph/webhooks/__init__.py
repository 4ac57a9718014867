"""GraphQL of webhooks: endpoints, the delivery log, test and redelivery."""
