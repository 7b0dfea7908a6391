"""Terms, periods and proration (DESIGN §3.1–3.3, §8), tested without Flask."""
import datetime as dt
from decimal Import Decimal
