class User < ApplicationRecord
  has_secure_password
  has_secure_token :api_token

  PASSWORD_LENGTH = (12..128)
  validates :password, length: { within: PASSWORD_LENGTH }, allow_nil: true

  def self.authenticate_by_token(token)
    find_by(api_token: token)
  end

  def regenerate_secret!
    update!(secret: SecureRandom.hex(32))
  end

  def api_client
    Acme::Client.new(api_key: ENV.fetch("ACME_API_KEY"), password: Rails.application.credentials.acme_password)
  end
end
