from ninja import NinjaAPI

api = NinjaAPI(title="Sigap API", version="1")
