variable "location" {
  type = string

variable "sku" {
}
