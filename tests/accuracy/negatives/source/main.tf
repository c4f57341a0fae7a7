variable "db_password" {
  type      = string
  sensitive = true
}

resource "aws_db_instance" "main" {
  identifier        = "app-db"
  engine            = "postgres"
  instance_class    = "db.t4g.micro"
  username          = "app"
  password          = var.db_password
  kms_key_id        = aws_kms_key.db.arn
  storage_encrypted = true
}

resource "aws_secretsmanager_secret_version" "api" {
  secret_id     = aws_secretsmanager_secret.api.id
  secret_string = jsonencode({ api_key = random_password.api.result })
}

resource "random_password" "api" {
  length  = 40
  special = false
}

provider "github" {
  token = var.github_token
  owner = "acme"
}
