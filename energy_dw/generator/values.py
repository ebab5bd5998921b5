"""Value sets (enums) and reference lists of the synthetic world.

Everything that a dbt ``accepted_values`` test needs is defined here once; the docs
(docs/generator.md) list the same sets.
"""

from __future__ import annotations

# --- supply -----------------------------------------------------------------
REGIONS = ["North", "South", "East", "West"]
TOWNS = {
    "North": [("Leeds", "LS"), ("Manchester", "M"), ("Newcastle", "NE"), ("York", "YO")],
    "South": [("Brighton", "BN"), ("Southampton", "SO"), ("Portsmouth", "PO"), ("Exeter", "EX")],
    "East": [("Norwich", "NR"), ("Cambridge", "CB"), ("Ipswich", "IP"), ("Colchester", "CO")],
    "West": [("Bristol", "BS"), ("Cardiff", "CF"), ("Gloucester", "GL"), ("Bath", "BA")],
}
STREETS = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Mill Lane",
    "Park Avenue",
    "Oak Road",
    "Green Lane",
    "Kings Road",
    "Queens Walk",
    "Manor Way",
    "Elm Close",
    "Springfield Road",
    "Chapel Street",
    "The Crescent",
    "Orchard Drive",
]
FIRST_NAMES = [
    "Oliver",
    "Amelia",
    "George",
    "Isla",
    "Harry",
    "Ava",
    "Jack",
    "Mia",
    "Noah",
    "Grace",
    "Leo",
    "Freya",
    "Arthur",
    "Lily",
    "Muhammad",
    "Sophia",
    "Oscar",
    "Emily",
    "Charlie",
    "Ella",
    "Thomas",
    "Poppy",
    "James",
    "Evie",
    "William",
    "Chloe",
    "Henry",
    "Ruby",
    "Priya",
    "Aisha",
    "Tom",
    "Hannah",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Khan",
    "Hughes",
    "Edwards",
    "Turner",
    "Hill",
    "Moore",
    "Cooper",
    "Ward",
    "Morris",
]
EMAIL_DOMAINS = ["example.com", "mail.example.org", "post.example.net"]

FUEL_TYPES = ["ELEC", "GAS"]
METER_TYPES = ["SMETS2", "SMETS1", "TRADITIONAL"]
METER_STATUSES = ["ACTIVE", "INACTIVE"]
HEALTH_STATUSES = ["Good", "Fair", "Poor"]
FAULT_CODES = [
    "COMMS_LOSS",
    "DISPLAY_FAULT",
    "BATTERY_LOW",
    "TAMPER_ALERT",
    "REGISTER_ERROR",
    "VALVE_FAULT",
]

READ_SOURCES = ["SMART", "CUSTOMER", "ESTIMATE", "INDUSTRY"]
READ_STATUSES = ["VALID", "ESTIMATED"]
REGISTERS = ["IMPORT", "DAY", "NIGHT", "EXPORT"]  # DAY/NIGHT: a two-rate (Economy 7) meter

NOVA_READING_SOURCES = ["customer", "smart", "estimate"]
NOVA_READING_STATUSES = ["PENDING", "VALID", "INVALID"]
NOVA_WORKFLOW_STATUSES = ["IN_REVIEW", "PROCESSED", "REJECTED"]

BILL_PERIOD_STATUSES = ["OPEN", "BILLED"]
BILL_STATUSES = ["DRAFT", "ACCEPTED", "CANCELLED", "SUPERSEDED"]
CHARGE_TYPES = ["UNIT", "EXPORT", "STANDING", "VAT", "ADJUSTMENT"]
PAYMENT_METHODS = ["DIRECT_DEBIT", "CARD", "BANK_TRANSFER"]
PAYMENT_STATUSES = ["PENDING", "SUCCESSFUL", "FAILED"]
BILL_DELIVERY = ["EMAIL", "POST", "APP"]

# Tariff (GBP): unit rates per kWh, standing charges per day, VAT rate.
UNIT_RATE = {"ELEC": 0.245, "GAS": 0.063}
STANDING_RATE = {"ELEC": 0.60, "GAS": 0.31}
EXPORT_RATE = 0.15
# two-rate (day/night) ELEC meters: a rate per import register
DAY_NIGHT_RATE = {"DAY": 0.275, "NIGHT": 0.165}
VAT_RATE = 0.05

AES_STATUSES = ["BOOKED", "INSTALLED", "FAILED", "CANCELLED"]
MOP_STATUS_FOR = {
    "BOOKED": "APPOINTED",
    "INSTALLED": "COMPLETED",
    "FAILED": "ABORTED",
    "CANCELLED": "DEAPPOINTED",
}
MOP_STATUSES = ["APPOINTED", "COMPLETED", "ABORTED", "DEAPPOINTED"]
BOOKING_FUEL_TYPES = ["ELEC", "GAS", "DUAL"]
INSTALLATION_TYPES = ["Traditional to SMETS2", "SMETS1 to SMETS2", "New connection"]
BOOKING_SOURCES = ["App", "Web", "Agent"]
FAILURE_REASONS = [
    "No access",
    "Customer not home",
    "Meter position unsafe",
    "No WAN signal",
    "Asbestos found",
    "Gas supply issue",
]
ABORT_REASONS = {"No access", "Customer not home"}
CANCEL_REASONS = [
    "Customer cancelled",
    "Rebooked",
    "Moving home",
    "Installer unavailable",
    "Duplicate booking",
]

INSTALL_OUTCOMES = ["COMPLETED", "FAILED", "ABORTED"]
REQUEST_TYPES = ["FAULT", "INSPECTION", "EXCHANGE"]
SURVEY_CHANNELS = ["EMAIL", "SMS", "APP", "PHONE"]
COMPLAINT_CATEGORIES = ["BILLING", "METERING", "CUSTOMER_SERVICE", "SMART_INSTALL", "PAYMENTS"]

KPI_NAMES = [
    "Direct Debit Setup",
    "Direct Debit Amount Changes",
    "Direct Debit Date Changes",
    "Submit a read",
    "Smart meter bookings",
    "Make a Card Payment",
    "Renewals",
    "Acquisition",
    "COT Move Out",
    "COT Move In",
]
KPI_DB_SOURCE = {
    "Direct Debit Setup": "junifer",
    "Direct Debit Amount Changes": "junifer",
    "Direct Debit Date Changes": "junifer",
    "Submit a read": "nova",
    "Smart meter bookings": "nova",
    "Make a Card Payment": "junifer",
    "Renewals": "junifer",
    "Acquisition": "nova",
    "COT Move Out": "nova",
    "COT Move In": "nova",
}
KPI_SUCCESS = {
    "Direct Debit Setup": 0.93,
    "Direct Debit Amount Changes": 0.96,
    "Direct Debit Date Changes": 0.97,
    "Submit a read": 0.88,
    "Smart meter bookings": 0.84,
    "Make a Card Payment": 0.91,
    "Renewals": 0.81,
    "Acquisition": 0.72,
    "COT Move Out": 0.86,
    "COT Move In": 0.78,
}
WEB_PENALTY = 0.06  # Web journeys succeed less often than App journeys
CHANNELS = ["App", "Web"]
DB_SOURCES = ["junifer", "nova"]
SUCCESS_STATUSES = ["Success", "Failed"]

# --- pay-as-you-go (pulse) ----------------------------------------------------
OPCOS = {
    # opco: (default_after_days_expired, share of accounts, languages+weights, currency note)
    "Kenya": (30, 0.30, [("sw", 0.6), ("en", 0.4)]),
    "Uganda": (30, 0.20, [("en", 0.8), ("sw", 0.2)]),
    "Nigeria": (60, 0.20, [("en", 1.0)]),
    "Zambia": (45, 0.15, [("en", 1.0)]),
    "Benin": (90, 0.15, [("fr", 1.0)]),
}
SHOPS = {
    "Kenya": ["Nairobi Central", "Kisumu", "Mombasa", "Nakuru", "Eldoret"],
    "Uganda": ["Kampala", "Gulu", "Mbarara", "Jinja"],
    "Nigeria": ["Lagos Island", "Ibadan", "Kano", "Abuja"],
    "Zambia": ["Lusaka", "Ndola", "Kitwe"],
    "Benin": ["Cotonou", "Parakou", "Porto-Novo"],
}
TERRITORY_SUFFIX = ["Rural", "Peri-urban", "Urban"]
PAYG_FIRST = [
    "Amina",
    "Brian",
    "Chinedu",
    "Grace",
    "Joseph",
    "Mercy",
    "Peter",
    "Faith",
    "Samuel",
    "Esther",
    "Moses",
    "Ruth",
    "Ibrahim",
    "Fatima",
    "Kofi",
    "Akosua",
    "John",
    "Mary",
    "David",
    "Sarah",
    "Emmanuel",
    "Blessing",
    "Yao",
    "Afi",
]
PAYG_LAST = [
    "Otieno",
    "Wanjiru",
    "Okafor",
    "Mwale",
    "Banda",
    "Nakato",
    "Mensah",
    "Adeyemi",
    "Kamau",
    "Phiri",
    "Ssempala",
    "Houngbo",
    "Mutua",
    "Okello",
    "Tembo",
    "Agbo",
]
CU_TYPES = ["Residential", "Business", "Agent"]
SUBSIDIES = ["Subsidised", "Unsubsidised"]

# product_id: (name, category, tags, has_iot, total_price, downpayment, daily_rate)
PRODUCTS = {
    1: ("BPower50", "Solar Home System", "SHS,IOT", True, 180.0, 15.0, 0.30),
    2: ("BPower120", "Solar Home System", "SHS,IOT", True, 320.0, 25.0, 0.50),
    3: ("Teide", "Solar Home System", "SHS,IOT,PREMIUM", True, 450.0, 35.0, 0.70),
    4: ("Nuovopay A14 Smartphone", "Smartphone", "PHONE,NUOVOPAY", False, 150.0, 20.0, 0.35),
    5: ("Solar TV 32", "TV", "TV,APPLIANCE", False, 220.0, 20.0, 0.40),
    6: ("ESF Clean Cooking Kit", "ESF", "ESF", False, 60.0, 5.0, 0.15),
    7: ("ESF upgrade BPower120", "Upgrade", "UPGRADE,SHS", True, 140.0, 10.0, 0.30),
    8: ("BPower Radio", "Accessory", "ACCESSORY", False, 40.0, 5.0, 0.10),
}
MAIN_PRODUCT_WEIGHTS = {1: 0.30, 2: 0.22, 3: 0.10, 4: 0.18, 5: 0.06, 6: 0.14}
ADDON_PRODUCT_WEIGHTS = {5: 0.5, 8: 0.3, 4: 0.2}
RETURN_PRODUCT_WEIGHTS = {7: 0.4, 5: 0.3, 2: 0.2, 8: 0.1}

SALE_ORDER_STATUSES = ["PENDING", "FULFILLED", "CANCELLED"]
CONTRACT_STATUSES = ["PENDING", "ACTIVE", "FINISHED", "CANCELLED"]
FINISH_REASONS = ["PAID_OFF", "OPT_OUT", "REPOSSESSED", "WRITTEN_OFF"]
EVENT_TYPES = [
    "REPOSSESSED",
    "WRITTEN_OFF",
    "ENABLED",
    "DISABLED",
    "ENABLE_PENDING",
    "ENABLE_ERROR",
]
CREDIT_DAY_CHOICES = [7, 14, 30]
DOWNPAYMENT_DAYS = 14

# (campaign_name, notification_name)
NOTIFICATIONS = {
    "welcome": ("Onboarding", "Welcome message"),
    "reminder": ("Payment Reminders", "Credit expires in 2 days"),
    "expired": ("Collections", "Credit expired 3 days ago"),
    "default": ("Collections", "Account at risk of default"),
    "paid_off": ("Onboarding", "Congratulations, fully paid"),
}
LANGUAGES = ["en", "fr", "sw"]
DELIVERY_STATES = ["DELIVERED", "FAILED", "PENDING"]
