resource "azurerm_container_registry" "main" {
  name                = "crordersprod"
  resource_group_name = "rg-orders-prod"
  location            = var.location
  sku                 = var.sku
  admin_enabled       = true
}
