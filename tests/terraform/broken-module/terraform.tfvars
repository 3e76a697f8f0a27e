location = "westeurope"
sku = 
