"""What the demo desk says: the shop, its people, its customers and their conversations.

Customer-facing text exists in Indonesian and English; the ticket follows the customer's
language. Internal notes are always Indonesian, as the shop's staff would write them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SHOP = "Toko Lestari"
# Published on purpose: demo people sign in with it, and the demo loads only into an empty desk.
PASSWORD = "sigap-demo"  # nosec B105

# Reserved domains (RFC 2606 / RFC 6761): a demo address can never reach a real inbox.
EMAIL_DOMAINS = ("mail.example", "surel.example", "inbox.example", "posku.example")


@dataclass(frozen=True)
class Text:
    id: str
    en: str

    def pick(self, language: str) -> str:
        return self.en if language == "en" else self.id


def same(text: str) -> Text:
    return Text(text, text)


@dataclass(frozen=True)
class TeamSpec:
    key: str
    name: str
    slug: str
    email: str


TEAMS = (
    TeamSpec("retail", "Layanan Pelanggan", "layanan-pelanggan", "halo@lestari.example"),
    TeamSpec("b2b", "Korporat / B2B", "korporat-b2b", "korporat@lestari.example"),
)


@dataclass(frozen=True)
class PersonSpec:
    username: str
    first_name: str
    last_name: str
    role: Literal["agent", "supervisor", "manager"]
    teams: tuple[str, ...]


PEOPLE = (
    PersonSpec("sari", "Sari", "Rahayu", "agent", ("retail",)),
    PersonSpec("budi", "Budi", "Santoso", "agent", ("retail",)),
    PersonSpec("putri", "Putri", "Anjani", "agent", ("retail",)),
    PersonSpec("dimas", "Dimas", "Prakoso", "agent", ("retail",)),
    PersonSpec("rina", "Rina", "Marpaung", "agent", ("b2b",)),
    PersonSpec("hendra", "Hendra", "Gunawan", "agent", ("b2b",)),
    PersonSpec("dewi", "Dewi", "Lestari", "supervisor", ("retail", "b2b")),
    PersonSpec("agus", "Agus", "Setiawan", "manager", ()),
)


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str


CATEGORIES = (
    CategorySpec("barang-rusak", "Barang rusak"),
    CategorySpec("refund", "Refund"),
    CategorySpec("keterlambatan-pengiriman", "Keterlambatan pengiriman"),
    CategorySpec("pertanyaan-produk", "Pertanyaan produk"),
    CategorySpec("akun", "Akun"),
    CategorySpec("keluhan", "Keluhan"),
    CategorySpec("tagihan-faktur", "Tagihan & faktur"),
)

INDONESIAN_FIRST = (
    "Wulan", "Rizky", "Ayu", "Fajar", "Siti", "Bayu", "Nur", "Indra", "Rahmat", "Fitri",
    "Yoga", "Dian", "Eka", "Galih", "Intan", "Joko", "Kartika", "Lukman", "Maya", "Nanda",
    "Oki", "Puspita", "Reza", "Sekar", "Teguh", "Utami", "Vina", "Wahyu", "Yudi", "Zahra",
    "Anisa", "Bambang", "Citra", "Dodi", "Endah", "Ferry", "Gita", "Hadi", "Ika", "Kevin",
    "Larasati", "Made", "Ketut", "Ni Luh", "Tirta", "Yosef", "Agnes", "Stefanus", "Irfan",
)  # fmt: skip
INDONESIAN_LAST = (
    "Santoso", "Wijaya", "Saputra", "Lestari", "Pratama", "Hidayat", "Nugroho", "Siregar",
    "Simanjuntak", "Nasution", "Harahap", "Halim", "Kusuma", "Permana", "Rahmawati",
    "Setiawati", "Susanto", "Wibowo", "Hutapea", "Manurung", "Lubis", "Situmorang",
    "Ramadhan", "Maharani", "Anggraini", "Putra", "Suryani", "Tanjung", "Wirawan", "Sinaga",
)  # fmt: skip
ENGLISH_NAMES = (
    "James Walker", "Emily Tan", "Priya Nair", "Michael O'Brien", "Zoë Clarke", "Rachel Lim",
    "Daniel Kim", "Hannah Schmidt", "Liam Murphy", "Olivia Chen", "Grace Ng", "Thomas Baker",
    "Sophie Martin", "Aarav Sharma", "Chloe Wong", "Lucas Fernández", "Mia Johansson",
    "Noah Williams", "Ella Thompson", "Benjamin Lee", "Charlotte Davies", "Ethan Brown",
    "Isabelle Dupont", "Jack Robinson", "Amelia Hughes", "Kenji Watanabe", "Ava Mitchell",
    "Samuel Ong", "Harriet Cole", "Matteo Rossi",
)  # fmt: skip

COMPANIES = (
    "PT Maju Bersama Logistik", "CV Sinar Abadi", "PT Nusantara Digital Kreasi",
    "Koperasi Karyawan Sejahtera", "PT Cahaya Timur Medika", "Yayasan Pendidikan Harapan",
    "Hotel Puri Asri", "PT Sumber Rejeki Pangan", "Klinik Sehat Sentosa", "PT Arunika Studio",
    "Sekolah Cendekia Mandiri", "PT Borneo Hijau Lestari", "Kantor Notaris Lim & Rekan",
    "PT Samudra Kargo Indonesia", "Restoran Dapur Nenek",
)  # fmt: skip
CITIES = ("Jakarta", "Bandung", "Surabaya", "Medan", "Makassar", "Yogyakarta", "Denpasar")
PHONE_PREFIXES = (
    "0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0858", "0877", "0878",
    "0895", "0896", "0881",
)  # fmt: skip
SOCIAL_NETWORKS = ("instagram", "twitter")
# Courier and the way its tracking numbers start.
COURIERS = {
    "JNE": "CGK",
    "J&T Express": "JP",
    "SiCepat": "00",
    "AnterAja": "AA",
    "Pos Indonesia": "P",
    "Ninja Xpress": "NJVID",
}

PRODUCTS = (
    Text("blender kaca 2 liter", "2-litre glass blender"),
    Text("rice cooker digital", "digital rice cooker"),
    Text("set piring keramik 12 pcs", "12-piece ceramic plate set"),
    Text("sepatu lari", "running shoes"),
    Text("kemeja batik lengan panjang", "long-sleeve batik shirt"),
    Text("headset bluetooth", "Bluetooth headset"),
    Text("lampu meja LED", "LED desk lamp"),
    Text("setrika uap", "steam iron"),
    Text("tas ransel laptop", "laptop backpack"),
    Text("kipas angin berdiri", "standing fan"),
    Text("termos stainless 1 liter", "1-litre stainless thermos"),
    Text("set gelas kaca isi 6", "set of 6 drinking glasses"),
    Text("jam tangan analog", "analogue wristwatch"),
    Text("puzzle kayu anak", "wooden puzzle for children"),
    Text("monitor 24 inci", "24-inch monitor"),
    Text("air fryer 4 liter", "4-litre air fryer"),
)
B2B_PRODUCTS = (
    Text("kursi kantor ergonomis", "ergonomic office chairs"),
    Text("printer laser", "laser printers"),
    Text("paket ATK bulanan", "monthly stationery bundles"),
    Text("dispenser air", "water dispensers"),
    Text("meja kerja lipat", "folding work desks"),
    Text("rice cooker komersial", "commercial rice cookers"),
)
# Prices in rupiah, as an online shop's catalogue would show them.
PRICES = (89_000, 129_000, 189_000, 249_000, 349_000, 459_000, 649_000, 899_000, 1_299_000)

# ---------------------------------------------------------------------------------------------
# Conversations. Placeholders: {name} customer's first name, {agent} the agent's first name,
# {product}, {order}, {courier}, {tracking}, {amount}, {company}, {quantity}, {city}, {shop}.
# ---------------------------------------------------------------------------------------------

BeatKind = Literal["reply", "customer", "note", "internal", "urgent", "escalate"]


@dataclass(frozen=True)
class Beat:
    """One step of a conversation after the first message.

    reply: the agent answers (`status` is where it leaves the ticket); customer: the customer
    writes again; note: an internal note; internal: a note, then the ticket waits on colleagues;
    urgent: the priority goes up, with a note; escalate: the supervisor takes the ticket over.
    """

    kind: BeatKind
    text: Text
    status: str | None = None
    # The steps of the bundled SOP this beat carries out, in order; None: whatever steps of
    # the kind the beat is (a reply: a message step, a note: an action) are open.
    sop_steps: tuple[str, ...] | None = None


def reply(
    text_id: str, text_en: str, status: str | None = None, *, steps: tuple[str, ...] | None = None
) -> Beat:
    return Beat("reply", Text(text_id, text_en), status, steps)


def customer(text_id: str, text_en: str) -> Beat:
    return Beat("customer", Text(text_id, text_en))


def note(text: str, *, steps: tuple[str, ...] | None = None) -> Beat:
    return Beat("note", same(text), sop_steps=steps)


def internal(text: str, *, steps: tuple[str, ...] | None = None) -> Beat:
    return Beat("internal", same(text), sop_steps=steps)


@dataclass(frozen=True)
class Script:
    key: str
    category: str
    team: Literal["retail", "b2b"]
    weight: int
    subjects: tuple[Text, ...]
    # The customer's first message: written in full (email), and typed quickly (chat, social).
    written: Text
    typed: Text
    # What the agent records when the customer calls or walks in.
    logged: Text
    beats: tuple[Beat, ...]


_RESOLVED = "resolved"
_PENDING_CUSTOMER = "pending_customer"
_PENDING_INTERNAL = "pending_internal"

# MISSION §B, step by step: thank and apologise (B1), ask for evidence (B2), verify it (B3),
# offer refund, replacement or repair (B4), carry out the choice in its time (B5), follow up (B6).
_DAMAGED_HEAD = (
    reply(
        "Halo Kak {name}, terima kasih sudah melapor ke {shop}, dan mohon maaf sekali {product} "
        "dari pesanan {order} sampai dalam keadaan rusak. Supaya bisa kami proses, boleh "
        "dibantu kirimkan foto atau video kondisi barang beserta kemasannya? Foto label "
        "pengiriman juga akan sangat membantu.",
        "Hi {name}, thank you for letting {shop} know, and we are very sorry that the {product} "
        "from order {order} arrived damaged. So that we can sort this out, could you send us a "
        "photo or video of the item and its packaging? A photo of the shipping label helps too.",
        _PENDING_CUSTOMER,
        steps=("acknowledge", "ask-evidence"),
    ),
    customer(
        "Ini fotonya kak. Retak di bagian samping dan kardusnya penyok parah, sepertinya "
        "terbanting waktu pengiriman. Videonya waktu unboxing juga saya lampirkan.",
        "Here are the photos. It is cracked along the side and the box is badly dented, it "
        "looks like it was dropped in transit. I attached my unboxing video as well.",
    ),
    note(
        "Foto dan video unboxing sudah dicek: retak terlihat jelas, kardus penyok di sudut. "
        "Kerusakan terkonfirmasi, kemungkinan besar saat pengiriman. Klaim ke kurir menyusul.",
        steps=("verify",),
    ),
    reply(
        "Terima kasih fotonya, Kak {name}. Kami sudah memeriksa dan kerusakannya terkonfirmasi. "
        "Kakak bisa memilih salah satu: (1) refund penuh {amount}, (2) barang pengganti yang "
        "sama, atau (3) perbaikan gratis di service center mitra kami. Mana yang Kakak pilih?",
        "Thank you for the photos, {name}. We have checked them and the damage is confirmed. "
        "You can choose: (1) a full refund of {amount}, (2) a replacement of the same item, or "
        "(3) a free repair at our partner service centre. Which would you prefer?",
        _PENDING_CUSTOMER,
        # The SOP's decision is recorded once the customer has chosen.
        steps=(),
    ),
)
_DAMAGED_REFUND = (
    customer(
        "Refund saja kak, ke metode pembayaran yang sama ya.",
        "A refund please, to the same payment method.",
    ),
    internal(
        "Pengajuan refund {amount} untuk {order} sudah diteruskan ke tim keuangan. "
        "Sesuai SOP barang rusak: refund diproses maksimal 1x24 jam.",
        steps=("resolution", "refund"),
    ),
    reply(
        "Kak {name}, refund {amount} sudah kami proses ke metode pembayaran Kakak. Dana "
        "biasanya masuk dalam 1–3 hari kerja tergantung bank. Sekali lagi mohon maaf atas "
        "ketidaknyamanannya.",
        "{name}, your refund of {amount} has been processed to your original payment method. "
        "It usually arrives within 1–3 working days depending on your bank. Again, we are "
        "sorry for the trouble.",
        _RESOLVED,
        steps=(),
    ),
    reply(
        "Halo Kak {name}, kami ingin memastikan refundnya sudah masuk dengan baik. Kalau ada "
        "kendala, balas saja pesan ini ya.",
        "Hi {name}, we just wanted to make sure the refund has reached you. If anything is "
        "not right, simply reply to this message.",
        steps=("follow-up",),
    ),
)
_DAMAGED_REPLACEMENT = (
    customer(
        "Saya pilih barang pengganti saja kak, masih butuh barangnya.",
        "I'd like a replacement please, I still need it.",
    ),
    internal(
        "Gudang sudah konfirmasi stok pengganti untuk {order}. Sesuai SOP: kirim maksimal "
        "2x24 jam, dikemas dengan bubble wrap tambahan.",
        steps=("resolution",),
    ),
    reply(
        "Kak {name}, barang pengganti sudah kami kirim hari ini lewat {courier} dengan nomor "
        "resi {tracking}. Kali ini kami kemas dengan pelindung tambahan.",
        "{name}, your replacement was shipped today with {courier}, tracking number "
        "{tracking}. We added extra protective packaging this time.",
        _RESOLVED,
        steps=("ship-replacement",),
    ),
    reply(
        "Halo Kak {name}, apakah barang penggantinya sudah diterima dalam kondisi baik? "
        "Semoga kali ini memuaskan ya.",
        "Hi {name}, has the replacement arrived in good condition? We hope it is perfect "
        "this time.",
        steps=("follow-up",),
    ),
)
_DAMAGED_REPAIR = (
    customer(
        "Diperbaiki saja kak, barangnya baru dan ini edisi terbatas.",
        "Please repair it, it's new and a limited edition.",
    ),
    internal(
        "Jadwal jemput kurir ke service center mitra sudah dibuat untuk {order}. "
        "Estimasi perbaikan 7–10 hari kerja.",
        steps=("resolution",),
    ),
    reply(
        "Kak {name}, kurir kami akan menjemput barangnya besok antara pukul 09.00–15.00. "
        "Estimasi perbaikan 7–10 hari kerja, dan kami kabari begitu barang dikirim kembali.",
        "{name}, our courier will pick the item up tomorrow between 9:00 and 15:00. The "
        "repair should take 7–10 working days, and we will let you know when it is on its "
        "way back.",
        _PENDING_INTERNAL,
        steps=("send-to-repair",),
    ),
    reply(
        "Kak {name}, perbaikan sudah selesai dan barang dikirim kembali lewat {courier}, resi "
        "{tracking}. Terima kasih sudah menunggu.",
        "{name}, the repair is done and the item is on its way back with {courier}, tracking "
        "{tracking}. Thank you for your patience.",
        _RESOLVED,
        steps=(),
    ),
    reply(
        "Halo Kak {name}, apakah barangnya sudah kembali dan berfungsi normal?",
        "Hi {name}, is the item back with you and working properly?",
        steps=("follow-up",),
    ),
)

_DAMAGED_SUBJECTS = (
    Text("Barang rusak saat diterima", "Item arrived damaged"),
    Text("{product} datang pecah", "{product} arrived broken"),
    Text("Pesanan {order} rusak", "Order {order} damaged"),
    Text("Paket penyok, isinya retak", "Dented parcel, contents cracked"),
)
_DAMAGED_WRITTEN = Text(
    "Selamat siang,\n\nSaya baru menerima pesanan {order} berisi {product}, tetapi barangnya "
    "retak dan kardusnya penyok. Saya sangat kecewa karena ini untuk hadiah. Mohon "
    "solusinya.\n\nTerima kasih,\n{name}",
    "Hello,\n\nI have just received order {order} with the {product}, but it is cracked and "
    "the box is dented. I am quite disappointed as it was meant to be a gift. Please let me "
    "know what you can do.\n\nThanks,\n{name}",
)
_DAMAGED_TYPED = Text(
    "kak {product} yang saya pesan ({order}) datang pecah 😭 gimana ya?",
    "hi, my {product} (order {order}) arrived broken. what can I do?",
)
_DAMAGED_LOGGED = Text(
    "{name} melaporkan {product} dari pesanan {order} datang rusak (retak, kardus penyok). "
    "Sudah minta maaf dan menjelaskan opsi refund, penggantian, atau perbaikan.",
    "{name} reported that the {product} from order {order} arrived damaged (cracked, dented "
    "box). Apologised and explained the refund, replacement and repair options.",
)


def _damaged(key: str, weight: int, outcome: tuple[Beat, ...]) -> Script:
    """The damaged-product case: one report and first answers, then the customer's choice."""
    return Script(
        key,
        "barang-rusak",
        "retail",
        weight,
        _DAMAGED_SUBJECTS,
        _DAMAGED_WRITTEN,
        _DAMAGED_TYPED,
        _DAMAGED_LOGGED,
        _DAMAGED_HEAD + outcome,
    )


SCRIPTS: tuple[Script, ...] = (
    _damaged("damaged_refund", 9, _DAMAGED_REFUND),
    _damaged("damaged_replacement", 9, _DAMAGED_REPLACEMENT),
    _damaged("damaged_repair", 4, _DAMAGED_REPAIR),
    Script(
        "refund_pending",
        "refund",
        "retail",
        10,
        (
            Text("Refund belum masuk", "Refund not received yet"),
            Text("Dana pembatalan {order} belum kembali", "Money for cancelled {order} not back"),
            Text("Kapan refund saya diproses?", "When will my refund be processed?"),
        ),
        Text(
            "Halo {shop},\n\nPesanan {order} sudah dibatalkan seminggu lalu, tetapi dana "
            "{amount} belum kembali ke rekening saya. Mohon dicek.\n\nSalam,\n{name}",
            "Hello {shop},\n\nOrder {order} was cancelled a week ago, but the {amount} has not "
            "come back to my account yet. Could you check?\n\nRegards,\n{name}",
        ),
        Text(
            "min refund {order} kok belum masuk2 ya udah seminggu",
            "hi, the refund for {order} still hasn't arrived, it's been a week",
        ),
        Text(
            "{name} menanyakan refund {amount} untuk pesanan {order} yang dibatalkan.",
            "{name} asked about the {amount} refund for cancelled order {order}.",
        ),
        (
            reply(
                "Halo Kak {name}, terima kasih sudah menghubungi kami dan mohon maaf refundnya "
                "belum diterima. Kami cek dulu ke tim keuangan ya.",
                "Hi {name}, thank you for reaching out, and sorry the refund has not arrived "
                "yet. Let me check with our finance team.",
            ),
            internal(
                "Refund {order} tertahan: nomor rekening di data pembatalan salah satu digit. "
                "Minta keuangan proses ulang setelah pelanggan konfirmasi."
            ),
            reply(
                "Kak {name}, ternyata ada satu digit nomor rekening yang tidak cocok. Boleh "
                "dikonfirmasi nomor rekening dan nama pemiliknya?",
                "{name}, it turns out one digit of the account number did not match. Could you "
                "confirm the account number and the account holder's name?",
                _PENDING_CUSTOMER,
            ),
            customer(
                "Oh iya maaf kak. BCA 123-456-7890 a.n. {name}.",
                "Oh, sorry about that. It's 123-456-7890, in the name of {name}.",
            ),
            internal("Data rekening sudah dikoreksi, keuangan proses ulang hari ini."),
            reply(
                "Terima kasih, Kak {name}. Refund {amount} sudah kami transfer ulang hari ini; "
                "biasanya masuk dalam 1x24 jam.",
                "Thank you, {name}. The {amount} refund was sent again today and should arrive "
                "within 24 hours.",
                _RESOLVED,
            ),
        ),
    ),
    Script(
        "shipping_stuck",
        "keterlambatan-pengiriman",
        "retail",
        14,
        (
            Text("Paket belum sampai", "Parcel has not arrived"),
            Text("Resi {tracking} tidak bergerak", "Tracking {tracking} not moving"),
            Text("Pesanan {order} terlambat", "Order {order} is late"),
            Text("Status pengiriman tidak update", "Delivery status not updating"),
        ),
        Text(
            "Selamat pagi,\n\nPesanan saya {order} dikirim lewat {courier} dengan resi "
            "{tracking}, tapi sudah 4 hari statusnya tidak bergerak di hub {city}. Kapan "
            "sampainya?\n\nTerima kasih,\n{name}",
            "Good morning,\n\nMy order {order} was shipped with {courier}, tracking {tracking}, "
            "but it has been stuck at the {city} hub for 4 days. When will it arrive?\n\n"
            "Thanks,\n{name}",
        ),
        Text(
            "paketku resi {tracking} kok nyangkut di {city} terus ya kak",
            "my parcel {tracking} has been stuck in {city} for days, any news?",
        ),
        Text(
            "{name} menanyakan paket {order} (resi {tracking}, {courier}) yang tertahan di "
            "hub {city}.",
            "{name} asked about parcel {order} (tracking {tracking}, {courier}) held at the "
            "{city} hub.",
        ),
        (
            reply(
                "Halo Kak {name}, terima kasih sudah menghubungi kami. Mohon maaf paketnya "
                "terlambat; kami langsung cek ke {courier} ya.",
                "Hi {name}, thanks for getting in touch, and sorry your parcel is late. We are "
                "checking with {courier} right away.",
            ),
            internal(
                "Sudah lapor ke {courier} lewat portal mitra. Paket {tracking} tertahan karena "
                "alamat kurang lengkap (tanpa RT/RW)."
            ),
            reply(
                "Kak {name}, menurut {courier} paketnya tertahan karena alamat kurang lengkap. "
                "Boleh dibantu kirim alamat lengkap dengan RT/RW dan patokan?",
                "{name}, {courier} says the parcel is held because the address is incomplete. "
                "Could you send the full address with a landmark?",
                _PENDING_CUSTOMER,
            ),
            customer(
                "Jl. Melati No. 12, RT 03/RW 05, dekat masjid Al-Ikhlas. Tolong dipercepat ya kak.",
                "12 Melati Street, unit 3, next to the mosque. Please hurry if you can.",
            ),
            note("Alamat lengkap sudah diteruskan ke {courier}, jadwal kirim ulang besok."),
            reply(
                "Terima kasih, Kak {name}. Alamat sudah kami teruskan dan paket dijadwalkan "
                "dikirim ulang besok.",
                "Thank you, {name}. We passed the address on and the parcel is booked for "
                "redelivery tomorrow.",
                _PENDING_CUSTOMER,
            ),
            customer("Sudah sampai kak, makasih banyak!", "It arrived, thank you so much!"),
            reply(
                "Senang mendengarnya, Kak {name}! Selamat menikmati belanjaannya.",
                "Glad to hear it, {name}! Enjoy your purchase.",
                _RESOLVED,
            ),
        ),
    ),
    Script(
        "product_question",
        "pertanyaan-produk",
        "retail",
        12,
        (
            Text("Pertanyaan tentang {product}", "Question about the {product}"),
            Text("Garansi {product}?", "Warranty on the {product}?"),
            Text("Stok {product} tersedia?", "Is the {product} in stock?"),
        ),
        Text(
            "Halo,\n\nSaya tertarik dengan {product}. Apakah ada garansi resmi, dan berapa "
            "lama? Apakah bisa dikirim ke {city} minggu ini?\n\nTerima kasih,\n{name}",
            "Hello,\n\nI'm interested in the {product}. Does it come with an official warranty, "
            "and for how long? Can it be delivered to {city} this week?\n\nThanks,\n{name}",
        ),
        Text(
            "kak {product} ready? garansinya berapa lama?",
            "hi, is the {product} in stock? how long is the warranty?",
        ),
        Text(
            "{name} bertanya soal garansi dan stok {product}. Sudah dijelaskan: garansi resmi "
            "1 tahun, stok ada.",
            "{name} asked about warranty and stock of the {product}. Explained: 1-year "
            "official warranty, in stock.",
        ),
        (
            reply(
                "Halo Kak {name}, terima kasih sudah bertanya! {product} bergaransi resmi 1 "
                "tahun dan stoknya tersedia. Pesanan yang masuk sebelum pukul 15.00 dikirim di "
                "hari yang sama, jadi bisa sampai di {city} dalam 2–3 hari.",
                "Hi {name}, thanks for asking! The {product} has a 1-year official warranty and "
                "is in stock. Orders placed before 15:00 ship the same day, so it can reach "
                "{city} in 2–3 days.",
                _RESOLVED,
            ),
            customer(
                "Oke kak, kalau mau tukar warna setelah diterima bisa?",
                "Great, and can I exchange it for another colour after it arrives?",
            ),
            reply(
                "Bisa, Kak {name}: selama segel belum dibuka, tukar warna bisa dalam 7 hari "
                "setelah barang diterima.",
                "Yes, {name}: as long as the seal is unbroken, you can exchange the colour "
                "within 7 days of delivery.",
                _RESOLVED,
            ),
        ),
    ),
    Script(
        "account_otp",
        "akun",
        "retail",
        7,
        (
            Text("Tidak bisa login", "Cannot log in"),
            Text("Kode OTP tidak masuk", "OTP code not arriving"),
            Text("Ganti nomor HP di akun", "Change the phone number on my account"),
        ),
        Text(
            "Halo,\n\nSaya tidak bisa login karena kode OTP tidak pernah masuk. Nomor HP lama "
            "saya sudah tidak aktif. Bagaimana cara menggantinya?\n\n{name}",
            "Hi,\n\nI cannot log in because the OTP code never arrives. My old phone number is "
            "no longer active. How can I change it?\n\n{name}",
        ),
        Text(
            "otp ga masuk2 kak, nomor lama udah mati",
            "the OTP never comes, my old number is gone",
        ),
        Text(
            "{name} tidak bisa login, OTP dikirim ke nomor lama yang sudah tidak aktif.",
            "{name} cannot log in, the OTP goes to an old number that is no longer active.",
        ),
        (
            reply(
                "Halo Kak {name}, terima kasih sudah menghubungi kami. Demi keamanan akun, "
                "boleh konfirmasi alamat email terdaftar dan nomor pesanan terakhir Kakak?",
                "Hi {name}, thank you for contacting us. To keep your account safe, could you "
                "confirm your registered email address and your most recent order number?",
                _PENDING_CUSTOMER,
            ),
            customer(
                "Email yang terdaftar yang ini kak, pesanan terakhir {order}.",
                "It's this email address, and my last order was {order}.",
            ),
            note("Data cocok dengan akun (email + pesanan {order}). Nomor HP lama dinonaktifkan."),
            reply(
                "Terima kasih, Kak {name}. Nomor lama sudah kami lepas dari akun; silakan login "
                "dengan email lalu tambahkan nomor baru di menu Profil.",
                "Thank you, {name}. We removed the old number from your account; please log in "
                "with your email and add your new number under Profile.",
                _RESOLVED,
            ),
        ),
    ),
    Script(
        "complaint_wrong_item",
        "keluhan",
        "retail",
        8,
        (
            Text("Salah kirim barang, sudah 3x komplain", "Wrong item sent, third complaint"),
            Text("Kecewa dengan pelayanan", "Disappointed with your service"),
            Text("Komplain: pesanan {order} tidak sesuai", "Complaint: order {order} is wrong"),
        ),
        Text(
            "Kepada {shop},\n\nIni ketiga kalinya saya menghubungi soal pesanan {order}. Yang "
            "datang bukan {product} yang saya pesan, dan sampai sekarang belum ada solusi. "
            "Kurirnya juga tidak sopan. Saya minta ditangani oleh atasan.\n\n{name}",
            "To {shop},\n\nThis is the third time I am contacting you about order {order}. What "
            "arrived is not the {product} I ordered, and there is still no solution. The "
            "courier was also rude. I want this handled by a supervisor.\n\n{name}",
        ),
        Text(
            "udah 3x komplen {order} salah kirim ga ada solusi!! tolong atasannya",
            "third time complaining about {order}, wrong item and no solution. supervisor please",
        ),
        Text(
            "{name} komplain ketiga kalinya: {order} salah kirim, kurir tidak sopan. Minta "
            "bicara dengan atasan.",
            "{name} complained for the third time: {order} wrong item, rude courier. Asked to "
            "speak to a supervisor.",
        ),
        (
            reply(
                "Kak {name}, saya {agent}. Mohon maaf sekali atas pengalaman ini, dan terima "
                "kasih sudah menyampaikannya. Kronologinya saya catat dan hari ini juga saya "
                "teruskan ke supervisor kami.",
                "{name}, this is {agent}. I am truly sorry about this, and thank you for telling "
                "us. I am recording what happened and passing it to our supervisor today.",
                steps=("empathise",),
            ),
            Beat(
                "urgent",
                same(
                    "Kronologi: pesanan {order} salah kirim, kurir tidak sopan, pelanggan sudah "
                    "3x menghubungi tanpa solusi. Prioritas dinaikkan."
                ),
                sop_steps=("verify-and-record",),
            ),
            Beat(
                "escalate",
                same(
                    "Eskalasi ke supervisor sesuai SOP keluhan: kontak berulang tanpa solusi "
                    "dan permintaan bicara dengan atasan."
                ),
                sop_steps=("front-line-can-solve", "escalate"),
            ),
            reply(
                "Kak {name}, saya {agent}, supervisor layanan pelanggan. Saya minta maaf "
                "sebesar-besarnya: Kakak tidak seharusnya menghubungi kami sampai tiga kali. "
                "Saya tangani langsung sekarang. {product} yang benar kami kirim hari ini, dan "
                "kurir akan menjemput barang yang salah tanpa biaya.",
                "{name}, this is {agent}, customer service supervisor. I sincerely apologise: "
                "you should never have had to contact us three times. I am handling this "
                "myself now. The correct {product} ships today, and a courier will collect the "
                "wrong item at no cost to you.",
                _PENDING_INTERNAL,
                steps=("keep-informed",),
            ),
            note(
                "Kebijakan khusus: voucher Rp50.000 sebagai permintaan maaf, di atas batas "
                "agen. Alasan: tiga kontak tanpa solusi. Disetujui supervisor.",
                steps=("supervisor-decides",),
            ),
            reply(
                "Kak {name}, {product} yang benar sudah dikirim dengan resi {tracking}, dan "
                "kami tambahkan voucher Rp50.000 untuk belanja berikutnya. Laporan soal kurir "
                "juga sudah kami teruskan ke {courier}.",
                "{name}, the correct {product} has shipped with tracking {tracking}, and we "
                "added an IDR 50,000 voucher for your next order. Your report about the "
                "courier has been passed on to {courier}.",
                _RESOLVED,
            ),
        ),
    ),
    Script(
        "b2b_quote",
        "pertanyaan-produk",
        "b2b",
        6,
        (
            Text("Permintaan penawaran {quantity} unit", "Quotation request for {quantity} units"),
            Text("Penawaran harga grosir {product}", "Bulk price for {product}"),
        ),
        Text(
            "Dengan hormat,\n\nKami dari {company} membutuhkan penawaran harga untuk "
            "{quantity} unit {product}, termasuk ongkos kirim ke {city} dan termin pembayaran "
            "30 hari.\n\nHormat kami,\n{name}\n{company}",
            "Dear {shop},\n\n{company} would like a quotation for {quantity} units of "
            "{product}, including delivery to {city} and 30-day payment terms.\n\nKind "
            "regards,\n{name}\n{company}",
        ),
        Text(
            "Selamat siang, kami perlu penawaran {quantity} unit {product} untuk {company}.",
            "Hello, we need a quote for {quantity} units of {product} for {company}.",
        ),
        Text(
            "{name} ({company}) minta penawaran {quantity} unit {product} dengan termin 30 hari.",
            "{name} ({company}) asked for a quote for {quantity} units of {product} on 30-day "
            "terms.",
        ),
        (
            reply(
                "Selamat siang Bapak/Ibu {name}, terima kasih atas minatnya. Penawaran sedang "
                "kami siapkan bersama tim gudang dan akan kami kirim paling lambat besok.",
                "Good afternoon {name}, thank you for your interest. We are preparing the "
                "quotation with our warehouse team and will send it by tomorrow at the latest.",
                _PENDING_INTERNAL,
            ),
            note("Cek stok {quantity} unit di gudang Cikarang; diskon grosir 12% disetujui."),
            reply(
                "Bapak/Ibu {name}, penawaran untuk {quantity} unit {product} sudah kami kirim ke "
                "email Bapak/Ibu: diskon 12%, gratis ongkir ke {city}, termin 30 hari. "
                "Penawaran berlaku 14 hari.",
                "{name}, the quotation for {quantity} units of {product} is in your inbox: 12% "
                "discount, free delivery to {city}, 30-day terms. It is valid for 14 days.",
                _PENDING_CUSTOMER,
            ),
            customer(
                "Terima kasih, PO akan kami kirim minggu depan setelah disetujui direksi.",
                "Thank you, we will send the PO next week once management approves it.",
            ),
            reply(
                "Baik, terima kasih Bapak/Ibu {name}. Kami tunggu PO-nya.",
                "Noted, thank you {name}. We look forward to your PO.",
                _RESOLVED,
            ),
        ),
    ),
    Script(
        "b2b_invoice",
        "tagihan-faktur",
        "b2b",
        5,
        (
            Text("Faktur pajak PO {order} belum diterima", "Tax invoice for PO {order} missing"),
            Text("Revisi invoice {order}", "Invoice {order} needs correcting"),
        ),
        Text(
            "Dengan hormat,\n\nFaktur pajak untuk PO {order} belum kami terima, padahal "
            "barang sudah diterima lengkap. Mohon dikirimkan agar pembayaran bisa kami proses."
            "\n\nTerima kasih,\n{name}\nBagian Keuangan {company}",
            "Dear {shop},\n\nWe have not received the tax invoice for PO {order}, although the "
            "goods arrived in full. Please send it so we can process the payment.\n\nThank "
            "you,\n{name}\nFinance, {company}",
        ),
        Text(
            "Faktur pajak PO {order} belum masuk ya, mohon dibantu.",
            "Tax invoice for PO {order} still missing, please help.",
        ),
        Text(
            "{name} ({company}) menanyakan faktur pajak PO {order}.",
            "{name} ({company}) asked for the tax invoice of PO {order}.",
        ),
        (
            internal("Minta tim pajak terbitkan e-Faktur untuk PO {order}."),
            reply(
                "Bapak/Ibu {name}, mohon maaf atas keterlambatannya. e-Faktur untuk PO {order} "
                "sudah terbit dan kami kirim ke email keuangan {company}.",
                "{name}, we apologise for the delay. The tax invoice for PO {order} has been "
                "issued and sent to {company}'s finance address.",
                _RESOLVED,
            ),
        ),
    ),
)

# The option each conversation takes where the bundled SOPs ask for a decision.
SOP_OUTCOMES = {
    "damaged_refund": "refund",
    "damaged_replacement": "replacement",
    "damaged_repair": "repair",
    "complaint_wrong_item": "escalate",
}
SOP_SETTLED = "Sudah ditangani langsung bersama pelanggan."

# What an agent notes when handing a ticket over to a colleague.
HANDOVER_NOTES = (
    "Shift saya selesai, dilanjutkan {agent}.",
    "Dialihkan ke {agent} yang pegang kasus serupa minggu lalu.",
    "Saya cuti besok, tolong {agent} pantau sampai selesai.",
)
REASSIGN_ON_RETURN = "Pelanggan korporat: dipindahkan ke tim Korporat / B2B."
VIP_NOTE = "Pelanggan VIP: prioritas dinaikkan sesuai kebijakan."
DUPLICATE_NOTE = (
    "Kemungkinan orang yang sama dengan pelanggan lain bernama Wulan Sari (nama sama, kontak "
    "lewat nomor HP dan chat). Perlu digabung setelah diverifikasi."
)
SIGNATURE = Text("\n\nSalam,\n{agent}\n{shop}", "\n\nKind regards,\n{agent}\n{shop}")
# Said on the phone or at the counter: recorded as it was said, nothing is sent.
CALLBACK_PREFIX = Text("Menelepon balik {name}: ", "Called {name} back: ")
LIVE_WAITING = Text(
    "Kak {name}, kami tunggu foto barang dan nomor pesanannya lewat email ya, supaya bisa "
    "langsung kami proses.",
    "{name}, please email us a photo of the item and your order number so we can take it "
    "from there.",
)
LIVE_FOLLOW_UP = "Akan ditelepon balik setelah dicek ke gudang."
